import XCTest
@testable import WardTerm

final class ThemeTests: XCTestCase {
    func testAllShippedThemesLoadAndDefineEveryElement() throws {
        for name in ["default", "light", "high-contrast", "mono"] {
            let path = repoRoot.appendingPathComponent("themes/\(name).theme").path
            let t = try Theme.load(path: path)
            XCTAssertEqual(t.name, name)
            XCTAssertEqual(Set(t.appearances.keys), Set(Style.allCases), "\(name) names every element")
        }
        let mono = try Theme.load(path: repoRoot.appendingPathComponent("themes/mono.theme").path)
        XCTAssertTrue(mono.isMonochrome, "mono uses attributes only")
        XCTAssertEqual(mono.appearance(.selectedRow).attributes, [.reverse, .bold])
    }

    func testBuiltInCopiesMatchTheFiles() throws {
        let d = try Theme.load(path: repoRoot.appendingPathComponent("themes/default.theme").path)
        let m = try Theme.load(path: repoRoot.appendingPathComponent("themes/mono.theme").path)
        XCTAssertEqual(d.appearances, Theme.builtinDefault.appearances)
        XCTAssertEqual(m.appearances, Theme.builtinMono.appearances)
    }

    func testParse() throws {
        let t = try Theme.parse("""
            # comment
            selected_row = black on cyan, bold   # trailing comment

            error = bright_red, bold, underline
            key_bar = on 17
            muted = dim
            """, name: "t", source: "t.theme")
        XCTAssertEqual(t.appearance(.selectedRow), Appearance(foreground: .index(0), background: .index(6), attributes: .bold))
        XCTAssertEqual(t.appearance(.error), Appearance(foreground: .index(9), attributes: [.bold, .underline]))
        XCTAssertEqual(t.appearance(.keyBar), Appearance(background: .index(17)))
        XCTAssertEqual(t.appearance(.title), Appearance(), "missing elements look like normal")
    }

    func testBrokenFileNamesFileAndLine() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("broken-\(getpid()).theme").path
        try "normal = default\n# fine\nselected_row = black on cyna, bold\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { unlink(path) }
        XCTAssertThrowsError(try Theme.resolve(path)) { e in
            XCTAssertEqual("\(e)", "\(path):3: unknown colour 'cyna'")
        }
        for (text, message) in [
            ("normal default", "1: expected 'element = colours, attributes', got 'normal default'"),
            ("\n\nselected = bold", "3: unknown element 'selected'"),
            ("title = bold, blinking", "1: unknown colour or attribute 'blinking'"),
            ("title = red, green", "1: unknown attribute 'green' (bold, reverse, underline, dim)"),
            ("title = bold\ntitle = dim", "2: 'title' is set twice"),
            ("title =", "1: 'title' has no value"),
        ] {
            XCTAssertThrowsError(try Theme.parse(text, name: "x", source: "x.theme")) { e in
                XCTAssertTrue("\(e)".hasPrefix("x.theme:" + message), "\(e)")
            }
        }
    }

    func testLookupByName() throws {
        setenv("WARD_THEME_DIR", repoRoot.appendingPathComponent("themes").path, 1)
        defer { unsetenv("WARD_THEME_DIR") }
        XCTAssertEqual(try Theme.resolve("light").name, "light")
        XCTAssertThrowsError(try Theme.resolve("sparkly")) { e in
            XCTAssertTrue("\(e)".contains("no such theme; available: default, high-contrast, light, mono"), "\(e)")
        }
        setenv("WARD_THEME", "high-contrast", 1)
        defer { unsetenv("WARD_THEME") }
        var cfg = WardConfig()
        cfg.theme = "light"
        XCTAssertEqual(try chooseTheme(flag: nil, config: cfg).name, "high-contrast", "WARD_THEME beats the config")
        XCTAssertEqual(try chooseTheme(flag: "mono", config: cfg).name, "mono", "--theme beats everything")
    }
}

final class ConfigTests: XCTestCase {
    func testParseAllSettings() throws {
        let c = try WardConfig.parse("""
            theme = "mono"
            clinic = "northside"
            dsn = "host=/tmp dbname=ward"
            idle_lock_minutes = 5
            date_order = "DD/MM/YYYY"

            [keys]
            search = "F7"
            quit = ["q", "Ctrl-Q"]
            """, source: "c.toml")
        XCTAssertEqual(c.theme, "mono")
        XCTAssertEqual(c.clinic, "northside")
        XCTAssertEqual(c.dsn, "host=/tmp dbname=ward")
        XCTAssertEqual(c.idleLockMinutes, 5)
        XCTAssertEqual(c.dateOrder, .dmy)
        XCTAssertEqual(c.keymap.overrides["search"], [.function(7)])
        XCTAssertEqual(c.keymap.overrides["quit"], [.char("q"), .ctrl("q")])
        XCTAssertEqual(c.keymap.origins["quit"], "c.toml:9")
        let applied = c.keymap.apply(StandardActions.global)
        XCTAssertEqual(applied.first { $0.name == "quit" }?.keys, [.char("q"), .ctrl("q")])
        XCTAssertEqual(applied.first { $0.name == "help" }?.keys, [.function(1), .char("?")])
    }

    func testDefaults() throws {
        let c = try WardConfig.parse("", source: "empty.toml")
        XCTAssertEqual(c.idleLockMinutes, 10)
        XCTAssertNil(c.theme)
    }

    func testErrorsNameFileAndLine() {
        for (text, message) in [
            ("theme = \"mono\"\ncolour = \"red\"", "c.toml:2: unknown setting 'colour'"),
            ("idle_lock_minutes = \"ten\"", "c.toml:1: 'idle_lock_minutes' must be a whole number"),
            ("date_order = \"julian\"", "c.toml:1: 'date_order' must be"),
            ("theme = 3", "c.toml:1: 'theme' must be a string"),
            ("[keys]\nsearch = \"F99\"", "c.toml:2: 'F99' is not a key"),
            ("[keys]\nsearch = 3", "c.toml:2: keys for 'search' must be"),
            ("theme = \"mono\"\n\nclinic = [", "c.toml:3: "),
        ] {
            XCTAssertThrowsError(try WardConfig.parse(text, source: "c.toml")) { e in
                XCTAssertTrue("\(e)".hasPrefix(message), "got: \(e)")
            }
        }
    }

    func testUnknownActionInKeysIsAnError() throws {
        let c = try WardConfig.parse("\n[keys]\nserach = \"F3\"\n", source: "c.toml")
        XCTAssertThrowsError(try c.keymap.validate(against: StandardActions.global + SampleScreen.list)) { e in
            XCTAssertTrue("\(e)".hasPrefix("c.toml:3: unknown action 'serach' in [keys]"), "\(e)")
        }
        let ok = try WardConfig.parse("[keys]\n\"sample.search\" = \"F7\"\n", source: "c.toml")
        XCTAssertNoThrow(try ok.keymap.validate(against: SampleScreen.list))
    }

    func testMissingFiles() throws {
        XCTAssertThrowsError(try WardConfig.load(explicitPath: "/nonexistent/ward.toml")) { e in
            XCTAssertEqual("\(e)", "/nonexistent/ward.toml: no such config file")
        }
        setenv("XDG_CONFIG_HOME", "/nonexistent", 1)
        defer { unsetenv("XDG_CONFIG_HOME") }
        XCTAssertEqual(WardConfig.defaultPath(), "/nonexistent/ward/config.toml")
        XCTAssertEqual(try WardConfig.load().idleLockMinutes, 10, "no file at the default path: defaults")
    }
}

final class KeyTests: XCTestCase {
    func testParseSpecs() {
        XCTAssertEqual(Key.parse("q"), .char("q"))
        XCTAssertEqual(Key.parse("?"), .char("?"))
        XCTAssertEqual(Key.parse("F3"), .function(3))
        XCTAssertEqual(Key.parse("f10"), .function(10))
        XCTAssertEqual(Key.parse("Ctrl-W"), .ctrl("w"))
        XCTAssertEqual(Key.parse("^w"), .ctrl("w"))
        XCTAssertEqual(Key.parse("C-x"), .ctrl("x"))
        XCTAssertEqual(Key.parse("PgDn"), .pageDown)
        XCTAssertEqual(Key.parse("Shift-Tab"), .backTab)
        XCTAssertEqual(Key.parse("Esc"), .escape)
        XCTAssertEqual(Key.parse("Space"), .char(" "))
        XCTAssertNil(Key.parse("F0"))
        XCTAssertNil(Key.parse("Ctrl-1"))
        XCTAssertNil(Key.parse("Hyper-Q"))
        XCTAssertNil(Key.parse(""))
    }

    func testLabelsRoundTrip() {
        for k: Key in [.char("q"), .function(3), .ctrl("w"), .pageDown, .pageUp, .backTab, .escape, .enter, .char(" ")] {
            XCTAssertEqual(Key.parse(k.description), k, k.description)
        }
    }

    func testDecodeRawInput() {
        XCTAssertEqual(Key.decode(0x738B, isKeyCode: false), .char("王"))
        XCTAssertEqual(Key.decode(23, isKeyCode: false), .ctrl("w"))
        XCTAssertEqual(Key.decode(9, isKeyCode: false), .tab)
        XCTAssertEqual(Key.decode(13, isKeyCode: false), .enter)
        XCTAssertEqual(Key.decode(127, isKeyCode: false), .backspace)
        XCTAssertEqual(Key.decode(27, isKeyCode: false), .escape)
        XCTAssertNil(Key.decode(0x9B, isKeyCode: false), "C1 CSI is not a key")
    }
}
