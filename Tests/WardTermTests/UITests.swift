import XCTest
@testable import WardTerm

final class UITests: XCTestCase {
    func testWholeFrameAt80x24() {
        let ui = makeUI(SampleScreen())
        let c = GridCanvas(rows: 24, cols: 80)
        ui.render(into: c)
        var expected = [
            " Ward  Patients                            Northside  fiona (front_desk)  09:30",
            "Name                                                           Born          MRN",
            "José Álvarez                                                   1980-01-01    100",
            "Zoë Ng                                                         1980-01-02    101",
            "अनन्या शर्मा                                                     1980-01-03    102",
            "王小明                                                         1980-01-04    103",
            "Nguyễn Văn An                                                  1980-01-05    104",
        ]
        while expected.count < 23 { expected.append("") }
        expected.append("F1 Help  F3 Search  F4 Register  F8 Delete  F10 Quit")
        assertLines(c, expected)
        XCTAssertEqual(c.style(row: 0, col: 0), .topBar)
        XCTAssertEqual(c.style(row: 0, col: 79), .topBar)
        XCTAssertEqual(c.style(row: 2, col: 40), .selectedRow)
        XCTAssertEqual(c.style(row: 23, col: 0), .keyBarKey)
        XCTAssertEqual(c.style(row: 23, col: 2), .keyBar)
        XCTAssertEqual(c.style(row: 23, col: 79), .keyBar)
        XCTAssertNil(c.cursor, "no text field: cursor hidden")
    }

    /// The permission an action needs is a field of the action, and the UI filters on it in
    /// one place: an action the session may not use has no key, no key bar entry, no help line.
    func testAnActionNeedingAPermissionTheSessionLacksIsNotOffered() {
        final class Guarded: Screen {
            var performed: [String] = []
            var title: String { "Guarded" }
            var actions: [Action] {
                [Action(ActionID("revoke"), keys: [.function(8)], label: "Revoke", help: "Revoke consent",
                        scope: .screen("guarded"), needs: ["consent.revoke"]),
                 Action(ActionID("look"), keys: [.function(3)], label: "Look", help: "Look", scope: .screen("guarded"))]
            }
            func perform(_ action: Action, ui: UI) -> Bool { performed.append(action.name); return true }
            func draw(_ canvas: Canvas, ui: UI) {}
        }
        let screen = Guarded()
        let ui = makeUI(screen)
        var granted: Set<String> = []
        ui.may = { granted.contains($0) }
        ui.handle(.function(8))
        ui.handle(.function(3))
        XCTAssertEqual(screen.performed, ["look"], "F8 is bound to nothing without the permission")
        XCTAssertEqual(ui.keyBarActions().map(\.name), ["help", "look", "quit"])
        granted = ["consent.revoke"]
        ui.handle(.function(8))
        XCTAssertEqual(screen.performed, ["look", "revoke"], "control: with the permission F8 works")
        XCTAssertTrue(ui.keyBarActions().contains { $0.id == ActionID("revoke") })
    }

    func testTooSmallShowsOnlyTheNotice() {
        let ui = makeUI(SampleScreen())
        let c = GridCanvas(rows: 12, cols: 40)
        ui.render(into: c)
        var expected = Array(repeating: "", count: 12)
        expected[6] = "    terminal too small (needs 80x24)"
        assertLines(c, expected)
        let tiny = GridCanvas(rows: 3, cols: 20)
        ui.render(into: tiny)
        assertLines(tiny, ["terminal too small (", "", ""])
        let narrow = GridCanvas(rows: 30, cols: 79)
        ui.render(into: narrow)
        XCTAssertEqual(narrow.lines().filter { !$0.isEmpty }.count, 1)
    }

    func testKeysGoToTheScreenThenItsActionsThenGlobal() {
        let s = SampleScreen()
        let ui = makeUI(s)
        ui.handle(.down)
        XCTAssertEqual(s.table.selected, 1, "screen's own key handling first")
        ui.handle(.function(3))
        XCTAssertEqual(s.performed, ["search"])
        s.capturesText = true
        ui.handle(.char("?"))
        XCTAssertEqual(s.typed, [.char("?")], "a text field gets '?' before the help action")
        XCTAssertTrue(ui.top === s)
        ui.handle(.function(1))
        XCTAssertTrue(ui.top is HelpScreen)
        ui.handle(.escape)
        XCTAssertTrue(ui.top === s)
    }

    func testConfirmDialogIsModal() {
        let s = SampleScreen()
        let ui = makeUI(s)
        ui.handle(.function(8))
        XCTAssertTrue(ui.top is ConfirmDialog)
        let c = GridCanvas(rows: 24, cols: 80)
        ui.render(into: c)
        let lines = c.lines()
        XCTAssertEqual(lines[2], "José Álvarez                                                   1980-01-01    100",
                       "the screen below is still drawn")
        XCTAssertEqual(Array(lines[9...13]), [
            "                    ┌─ Delete ─────────────────────────────┐",
            "                    │ Delete José Álvarez?                 │",
            "                    │                                      │",
            "                    │                         y Yes   n No │",
            "                    └──────────────────────────────────────┘",
        ])
        XCTAssertEqual(lines[23], "y Yes  n No")
        XCTAssertEqual(c.style(row: 10, col: 23), .dialog)
        XCTAssertEqual(c.style(row: 9, col: 20), .border)
        ui.handle(.down)
        ui.handle(.function(3))
        XCTAssertEqual(s.table.selected, 0, "keys do not reach the screen below")
        XCTAssertEqual(s.performed, ["delete"])
        ui.handle(.char("y"))
        XCTAssertTrue(ui.top === s)
        XCTAssertEqual(ui.message?.text, "Deleted")
        ui.handle(.function(8))
        ui.handle(.escape)
        XCTAssertTrue(ui.top === s)
        XCTAssertNil(ui.message, "no answered yes")
    }

    func testMessageLineAndBusyIndicator() {
        let ui = makeUI(SampleScreen())
        ui.show("Patient not found", kind: .error)
        ui.setBusy("Searching")
        let c = GridCanvas(rows: 24, cols: 80)
        ui.render(into: c)
        XCTAssertEqual(c.lines()[22], "Patient not found                                                  | Searching…")
        XCTAssertEqual(c.style(row: 22, col: 0), .error)
        XCTAssertEqual(c.style(row: 22, col: 67), .busy)
        XCTAssertEqual(c.style(row: 22, col: 79), .normal)
        ui.setBusy(nil)
        ui.handle(.down)
        ui.render(into: c)
        XCTAssertEqual(c.lines()[22], "", "a message lasts until the next key")
    }

    func testTimersFireInOrderAndRepeat() {
        let ui = makeUI(SampleScreen())
        var log: [String] = []
        let now = UI.monotonicNow()
        ui.after(0.2) { _ in log.append("late") }
        ui.after(0.1) { _ in log.append("early") }
        let rep = ui.after(0.1, repeating: 0.1) { _ in log.append("tick") }
        let gone = ui.after(0.1) { _ in log.append("cancelled") }
        ui.cancel(gone)
        ui.fireDueTimers(now: now + 0.15)
        XCTAssertEqual(log.sorted(), ["early", "tick"])
        ui.fireDueTimers(now: now + 0.25)
        XCTAssertEqual(Array(log.suffix(2)).sorted(), ["late", "tick"])
        ui.cancel(rep)
        ui.fireDueTimers(now: now + 10)
        XCTAssertEqual(log.count, 4)
    }

    /// One lookup per batch of keys, at once; keys typed while it is out give one more when
    /// it is answered, never a second one in flight; reset forgets what was scheduled.
    func testAsYouTypeLooksUpOncePerBatchAndOnceMoreAfterTheAnswer() {
        let ui = makeUI(SampleScreen())
        var sent = 0
        let typing = AsYouType { _ in sent += 1; return true }
        for _ in 1...3 { typing.changed(ui) }
        XCTAssertEqual(sent, 0, "nothing before the batch has been read")
        ui.fireDueTimers(now: UI.monotonicNow())
        XCTAssertEqual(sent, 1)
        typing.changed(ui); typing.changed(ui)
        ui.fireDueTimers(now: UI.monotonicNow())
        XCTAssertEqual(sent, 1, "one lookup in flight at a time")
        XCTAssertTrue(typing.stale)
        typing.answered(ui)
        XCTAssertEqual(sent, 2, "the newer text is looked up when the answer is in")
        typing.answered(ui)
        XCTAssertEqual(sent, 2)
        XCTAssertFalse(typing.inFlight)
        typing.changed(ui)
        typing.reset(ui)
        ui.fireDueTimers(now: UI.monotonicNow() + 1)
        XCTAssertEqual(sent, 2, "a reset cancels the lookup scheduled for this batch")
        let empty = AsYouType { _ in false }
        empty.changed(ui)
        ui.fireDueTimers(now: UI.monotonicNow())
        XCTAssertFalse(empty.inFlight, "nothing to ask is not a lookup in flight")
    }

    func testADelayedBusyLabelShowsOnlyForASlowAnswer() {
        let ui = makeUI(SampleScreen())
        let now = UI.monotonicNow()
        ui.setBusy("Searching", after: 0.15)
        XCTAssertNil(ui.busyLabel)
        ui.fireDueTimers(now: now + 0.3)
        XCTAssertEqual(ui.busyLabel, "Searching", "still running after the delay")
        ui.setBusy(nil)
        ui.setBusy("Loading", after: 0.15)
        ui.setBusy(nil)  // answered in time
        ui.fireDueTimers(now: now + 10)
        XCTAssertNil(ui.busyLabel, "a fast answer never shows the label")
    }

    func testKeyBarKeepsQuitWhenNarrow() {
        let items = KeyBar.fitting([StandardActions.help] + SampleScreen.list + [StandardActions.quit], cols: 30)
        XCTAssertEqual(items.map(\.name), ["help", "search", "quit"])
    }
}

final class HelpTests: XCTestCase {
    func testHelpIsGeneratedFromTheActionLists() {
        let help = HelpScreen(for: "Patients", actions: SampleScreen.list, global: StandardActions.global)
        let listed = help.rows.filter { !$0.isHeading }
        let all = SampleScreen.list + StandardActions.global
        XCTAssertEqual(listed.map(\.text), all.map(\.help))
        XCTAssertEqual(listed.map(\.keys), all.map(\.keyText))
        XCTAssertEqual(help.rows.filter(\.isHeading).map(\.text), ["Patients", "Everywhere"])
    }

    func testHelpScreenShowsEveryActionWithReboundKeys() throws {
        var config = WardConfig()
        config.keymap = Keymap(overrides: ["search": [.function(7), .ctrl("f")]])
        let ui = makeUI(SampleScreen(), config: config)
        ui.handle(.char("?"))
        XCTAssertTrue(ui.top is HelpScreen)
        let c = GridCanvas(rows: 24, cols: 80)
        ui.render(into: c)
        let lines = c.lines()
        XCTAssertEqual(Array(lines[1...9]), [
            " Patients",
            "   F7 ^F   Find a patient",
            "   F4      Register a new patient",
            "   F8      Delete the selected row",
            " Everywhere",
            "   F1 ?    Show the keys of this screen",
            "   ^L      Redraw the whole screen",
            "   F10 ^X  Leave Ward",
            "",
        ])
        XCTAssertEqual(lines[23], "Esc Close  Down More")
        XCTAssertEqual(c.style(row: 2, col: 3), .helpKey)
        ui.handle(.char("q"))
        XCTAssertFalse(ui.top is HelpScreen)
        ui.handle(.ctrl("f"))
        XCTAssertEqual((ui.top as? SampleScreen)?.performed, ["help", "search"], "global actions are offered to the screen first")
    }
}
