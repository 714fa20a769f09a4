import Foundation
import WardDB
import WardClient
@testable import WardScreens
import WardTerm
import XCTest

/// Clinical notes: written in the editor, signed, read, amended (never changed), and seen
/// only by the clinic that wrote them and only by roles that may read them.
final class NoteTests: DemoDatabaseCase {
    func openRecord(_ h: ScreenHarness, _ q: String) throws -> PatientRecordScreen {
        let record = PatientRecordScreen(app: h.app, patient: try h.patient(q))
        h.ui.push(record)
        h.drain()
        return record
    }

    func bodies(_ h: ScreenHarness, _ patient: UUID) -> [String] {
        var headings: [Api.NoteHeading] = []
        h.app.backend.submit(Api.notes(of: patient)) { headings = (try? $0.get()) ?? [] }
        h.drain()
        var out: [String] = []
        for n in headings {
            h.app.backend.submit(Api.note(n.id, sealer: h.app.sealer)) { if case .success(let note?) = $0 { out.append(note.body.text ?? FieldSealer.unreadable) } }
        }
        h.drain()
        return out
    }

    func testASpecialistWritesReadsAndAmendsANoteThatTheOtherClinicNeverSees() throws {
        let h = try login("northside", "sam")
        let record = try openRecord(h, "alvarez jose")
        XCTAssertTrue(h.shows("Clinical notes"))
        h.press(.char("w"))
        let editor = try XCTUnwrap(h.ui.top as? NoteEditorScreen)
        h.type("Knee review")
        h.press(.tab) // kind: "note" already
        h.press(.tab)
        XCTAssertTrue(editor.bodyFocused)
        h.type("Left knee pain after running.")
        h.press(.enter)
        h.type("Plan: ibuprofen 400 mg, review in two weeks.")
        h.press(.function(2))
        XCTAssertTrue(h.shows("Sign and save"))
        h.press(.char("y"))
        XCTAssertTrue(h.ui.top === record, h.screen().joined(separator: "\n"))
        XCTAssertTrue(h.shows("Note signed and saved."))
        XCTAssertTrue(h.screen().contains { $0.contains("note  Knee review — Sam Okafor") }, h.screen().joined(separator: "\n"))

        h.press(.char("n"))
        let list = try XCTUnwrap(h.ui.top as? NoteListScreen)
        let row = try XCTUnwrap(list.notes.firstIndex { $0.title == "Knee review" })
        list.table.selected = row
        h.press(.enter)
        XCTAssertTrue(h.ui.top is NoteViewScreen)
        XCTAssertTrue(h.shows("Left knee pain after running."), h.screen().joined(separator: "\n"))
        XCTAssertTrue(h.shows("Plan: ibuprofen 400 mg, review in two weeks."))

        // A correction is a new note; the old one stays as it was.
        h.press(.function(4))
        let amend = try XCTUnwrap(h.ui.top as? NoteEditorScreen)
        XCTAssertEqual(amend.form.fields[0].input.text, "Amends: Knee review")
        XCTAssertEqual(amend.body.text, "Left knee pain after running.\nPlan: ibuprofen 400 mg, review in two weeks.")
        h.press(.tab, .tab)
        for _ in 0..<"two weeks.".count { h.press(.backspace) }
        h.type("one week.")
        h.press(.function(2), .char("y"))
        XCTAssertTrue(h.ui.top === list, "back to the list, not to the old note")
        let original = try XCTUnwrap(list.notes.first { $0.title == "Knee review" })
        let amendment = try XCTUnwrap(list.notes.first { $0.title == "Amends: Knee review" })
        XCTAssertEqual(amendment.amends, original.id)
        XCTAssertTrue(h.shows("Knee review (amended)"), h.screen().joined(separator: "\n"))
        let jose = record.patient
        XCTAssertTrue(bodies(h, jose).contains("Left knee pain after running.\nPlan: ibuprofen 400 mg, review in two weeks."))
        XCTAssertTrue(bodies(h, jose).contains("Left knee pain after running.\nPlan: ibuprofen 400 mg, review in one week."))

        // The same person at riverside, where José is shared by consent: his profile, none
        // of northside's notes (neither the new ones nor the seeded ones).
        let river = try login("riverside", "sam")
        let there = try openRecord(river, "alvarez jose")
        XCTAssertTrue(river.shows("ALLERGIES: Penicillin"), river.screen().joined(separator: "\n"))
        XCTAssertTrue(river.shows("Clinical notes"))
        XCTAssertFalse(river.shows("Knee review"))
        XCTAssertFalse(there.notes.contains { $0.title.contains("Knee review") })
        XCTAssertFalse(bodies(river, there.patient).contains { $0.contains("Knee") || $0.contains("Northside") })
    }

    /// F10 (or ^X) leaves an unsaved note as surely as Esc does, so it asks the same way;
    /// an untouched editor quits at once.
    func testQuittingWithAnUnsavedNoteAsksFirst() throws {
        let h = try login("northside", "sam")
        let jose = try h.patient("alvarez jose")
        let editor = NoteEditorScreen(app: h.app, patient: jose, patientName: "Álvarez, José")
        h.ui.push(editor)
        XCTAssertFalse(editor.perform(StandardActions.quit, ui: h.ui), "control: nothing typed, the UI quits")
        h.type("Phone call")
        h.press(.function(10))
        XCTAssertTrue(h.ui.top is ConfirmDialog, "asks before throwing the note away")
        XCTAssertTrue(h.shows("Discard the note?"))
        h.press(.char("n"))
        XCTAssertTrue(h.ui.top === editor)
        XCTAssertEqual(editor.form.fields[0].input.text, "Phone call")
        h.press(.ctrl("x"))
        XCTAssertTrue(h.ui.top is ConfirmDialog, "^X asks too")
    }

    func testTheEditorSaysWhatIsMissingAndKeepsWhatWasTyped() throws {
        let h = try login("northside", "sam")
        let jose = try h.patient("alvarez jose")
        let editor = NoteEditorScreen(app: h.app, patient: jose, patientName: "Álvarez, José")
        h.ui.push(editor)
        h.press(.function(2))
        XCTAssertTrue(h.ui.top === editor)
        XCTAssertEqual(editor.form.fields[0].error, "Give the note a title.")
        h.type("Phone call")
        h.press(.function(2))
        XCTAssertEqual(editor.bodyError, "The note is empty.")
        XCTAssertTrue(editor.bodyFocused)
        XCTAssertTrue(h.shows("The note is empty."))
        h.type("王小明 called about the results.")
        h.press(.escape)
        XCTAssertTrue(h.shows("Discard the note?"))
        h.press(.char("n"))
        XCTAssertTrue(h.ui.top === editor)
        XCTAssertEqual(editor.body.text, "王小明 called about the results.")
        // A refusal by the database lands beside its field; nothing is lost.
        editor.save(title: "Phone call", kind: "letter", text: editor.body.text, h.ui)
        h.drain()
        XCTAssertTrue(h.ui.top === editor)
        XCTAssertEqual(editor.form.fields[1].error, "A note's kind is note, plan, report or form.")
        XCTAssertEqual(editor.form.focus, 1)
        XCTAssertEqual(editor.form.fields[0].input.text, "Phone call")
        XCTAssertEqual(editor.body.text, "王小明 called about the results.")
    }

    func testFrontDeskSeesNoNotesAnywhere() throws {
        let h = try login("northside", "fiona")
        let record = try openRecord(h, "alvarez jose")
        XCTAssertTrue(h.shows("ALLERGIES: Penicillin"))
        XCTAssertFalse(h.shows("Clinical notes"))
        XCTAssertFalse(h.ui.actions(of: record).contains { $0.name == "notes" || $0.name == "write-note" })
        h.press(.char("n"), .char("w"))
        XCTAssertTrue(h.ui.top === record, "no note screen opens")
        // Even asked directly, the database shows and takes nothing.
        let sam = try login("northside", "sam")
        sam.app.backend.submit(try Api.writeNote(patient: record.patient, title: "For clinicians", body: "Not for the desk.", sealer: sam.app.sealer)) { _ in }
        XCTAssertFalse(bodies(sam, record.patient).isEmpty, "José has notes at northside")
        XCTAssertEqual(bodies(h, record.patient), [])
        var refusal: UserError?
        h.app.backend.submit(try Api.writeNote(patient: record.patient, title: "Desk", body: "text", sealer: sam.app.sealer)) {
            if case .failure(let e) = $0 { refusal = e }
        }
        h.drain()
        XCTAssertEqual(refusal?.sqlState, "42501")
    }
}
