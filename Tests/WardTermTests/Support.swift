import Foundation
import XCTest
@testable import WardTerm

let names = ["José Álvarez", "Zoë Ng", "अनन्या शर्मा", "王小明", "Nguyễn Văn An"]

/// The repository root (for themes/).
let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

func dump(_ c: GridCanvas) -> String { c.lines().joined(separator: "\n") }

/// Asserts the canvas shows exactly `expected` (trailing spaces ignored).
func assertLines(_ canvas: GridCanvas, _ expected: [String], file: StaticString = #filePath, line: UInt = #line) {
    let got = canvas.lines()
    var exp = expected
    while exp.count < got.count { exp.append("") }
    if got != exp {
        XCTFail("canvas differs:\n" + got.enumerated().map { "\($0.offset)|\($0.element)|" }.joined(separator: "\n"),
                file: file, line: line)
    }
}

/// A screen for the UI tests: a form and a table, like a real screen would have.
final class SampleScreen: Screen {
    static let list: [Action] = [
        Action(ActionID("search"), keys: [.function(3)], label: "Search", help: "Find a patient", scope: .screen("sample")),
        Action(ActionID("register"), keys: [.function(4)], label: "Register", help: "Register a new patient", scope: .screen("sample")),
        Action(ActionID("delete"), keys: [.function(8)], label: "Delete", help: "Delete the selected row", scope: .screen("sample")),
    ]
    let table = Table(columns: [Column("Name"), Column("Born", width: 10), Column("MRN", width: 6, alignRight: true)],
                      rows: names.enumerated().map { [$0.element, "1980-01-0\($0.offset + 1)", "\(100 + $0.offset)"] })
    var performed: [String] = []
    var typed: [Key] = []
    var capturesText = false

    var title: String { "Patients" }
    var actions: [Action] { SampleScreen.list }
    func handleKey(_ key: Key, ui: UI) -> Bool {
        if capturesText, case .char = key { typed.append(key); return true }
        return table.handle(key)
    }
    func perform(_ action: Action, ui: UI) -> Bool {
        performed.append(action.name)
        if action.name == "delete" {
            ui.confirm(title: "Delete", message: "Delete \(table.selectedRow![0])?", onYes: { ui in ui.show("Deleted", kind: .success) })
        }
        return action.scope != .global
    }
    func draw(_ canvas: Canvas, ui: UI) { table.draw(canvas) }
}

func makeUI(_ screen: Screen, config: WardConfig = WardConfig()) -> UI {
    let ui = UI(theme: Theme.builtinDefault, config: config)
    ui.clinic = "Northside"
    ui.user = "fiona"
    ui.role = "front_desk"
    ui.clockText = { "09:30" }
    ui.push(screen)
    return ui
}
