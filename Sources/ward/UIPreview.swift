// A developer command: compiled only into the debug and benchmark builds (Ward.developerCommands).
#if WARD_DEVELOPER
import ArgumentParser
import Foundation
import WardTerm

/// A widget gallery for developers and the terminal E2E tests: the engine without a
/// database. The real screens come with the screens module.
struct UIPreview: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ui-preview",
        abstract: "Open the terminal UI with a built-in widget gallery (no database).",
        shouldDisplay: false)

    @Option(help: "Theme name (default, light, high-contrast, mono) or path to a .theme file.")
    var theme: String?

    @Option(help: "Config file (default: $XDG_CONFIG_HOME/ward/config.toml).")
    var config: String?

    func run() throws {
        let cfg: WardConfig
        let chosen: Theme
        do {
            cfg = try WardConfig.load(explicitPath: config)
            chosen = try chooseTheme(flag: theme, config: cfg)
            try cfg.keymap.validate(against: GalleryScreen.globalActions + GalleryScreen.actionList)
        } catch {
            throw CLIError("\(error)")
        }
        let ui = UI(theme: chosen, config: cfg, globalActions: GalleryScreen.globalActions)
        ui.clinic = "Northside Family Practice"
        ui.user = "alice"
        ui.role = "admin"
        ui.push(GalleryScreen())
        let code: Int32
        do {
            code = try ui.run()
        } catch {
            throw CLIError("\(error)")
        }
        if code != 0 { throw ExitCode(code) }
    }
}

/// The gallery's own action ids (the screens' are internal to WardScreens).
private extension ActionID {
    static let save = ActionID("save"), busy = ActionID("busy"), delete = ActionID("delete")
    static let nextField = ActionID("next-field"), previousField = ActionID("previous-field")
}

/// Form, masked field, table with names in several scripts, dialog, busy indicator.
final class GalleryScreen: Screen {
    static let scope = ActionScope.screen("gallery")
    static let globalActions: [Action] = [
        StandardActions.help,
        StandardActions.redraw,
        Action(.quit, keys: [.char("q"), .function(10)], label: "Quit", help: "Leave Ward", scope: .global),
    ]
    static let actionList: [Action] = [
        Action(.save, keys: [.function(2)], label: "Save", help: "Check the form and pretend to save it", scope: scope),
        Action(.busy, keys: [.function(5)], label: "Busy", help: "Show the busy indicator for two seconds", scope: scope),
        Action(.delete, keys: [.function(8)], label: "Delete", help: "Ask before deleting the selected row", scope: scope),
        Action(.nextField, keys: [.tab], label: "Next", help: "Move to the next field or the table", scope: scope, inKeyBar: false),
        Action(.previousField, keys: [.backTab], label: "Previous", help: "Move to the previous field", scope: scope, inKeyBar: false),
    ]

    let form = Form([
        FormField("Name", TextField(), validate: { $0.trimmingCharacters(in: .whitespaces).isEmpty ? "a name is required" : nil }),
        FormField("Password", TextField(masked: true), validate: { $0.count < 8 ? "at least 8 characters" : nil }),
    ])
    let table = Table(columns: [Column("Name"), Column("Born", width: 10), Column("MRN", width: 8, alignRight: true)],
                      rows: GalleryScreen.sampleRows)
    /// Form fields, then the table.
    var focusOnTable = false

    static let sampleRows: [[String]] = {
        let names = ["José Álvarez", "Zoë Ng", "अनन्या शर्मा", "王小明", "Nguyễn Văn An", "Mary O'Brien",
                     "Søren Kierkegaard-Østergaard", "Иван Петров", "محمد علي", "佐藤 花子", "Παναγιώτης Οικονόμου",
                     "Ana María de la Fuente y Castellanos"]
        var rows: [[String]] = []
        for i in 0..<30 {
            let born: String = String(format: "19%02d-%02d-%02d", 40 + i * 2, 1 + i % 12, 1 + i % 28)
            let mrn: String = String(1000 + i * 37)
            rows.append([names[i % names.count], born, mrn])
        }
        return rows
    }()

    var title: String { "Widget gallery" }
    var actions: [Action] { GalleryScreen.actionList }

    func handleKey(_ key: Key, ui: UI) -> Bool {
        if focusOnTable { return table.handle(key) }
        return form.handle(key)
    }

    func perform(_ action: Action, ui: UI) -> Bool {
        switch action.id {
        case .nextField, .previousField:
            focusOnTable.toggle()
            form.focus = action.id == .nextField ? 0 : form.fields.count - 1
        case .save:
            if form.validateAll() {
                ui.show("Saved \(form.fields[0].input.text)", kind: .success)
            } else {
                focusOnTable = false
                ui.show("Please fix the marked fields", kind: .error)
            }
        case .busy:
            ui.setBusy("Searching")
            ui.after(2) { ui in ui.setBusy(nil); ui.show("Search finished") }
        case .delete:
            guard let row = table.selectedRow else { return true }
            ui.confirm(title: "Delete", message: "Delete \(row[0]) from this list?", yesLabel: "Delete",
                       onYes: { [table] ui in
                           table.rows.remove(at: table.selected)
                           ui.show("Deleted \(row[0])", kind: .success)
                       }, onNo: { ui in ui.show("Nothing deleted") })
        default:
            return false
        }
        return true
    }

    func draw(_ canvas: Canvas, ui: UI) {
        canvas.put("Patient details", row: 1, col: 2, style: .title)
        form.draw(canvas, row: 2, col: 2, focused: !focusOnTable)
        let top = 3 + form.height
        canvas.put("Patients (Tab moves here)", row: top, col: 2, style: focusOnTable ? .title : .muted)
        table.draw(canvas.region(Rect(row: top + 1, col: 2, rows: canvas.rows - top - 1, cols: canvas.cols - 4)),
                   focused: focusOnTable)
    }
}
#endif
