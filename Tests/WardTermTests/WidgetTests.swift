import XCTest
@testable import WardTerm

final class TextFieldTests: XCTestCase {
    func type(_ f: TextField, _ s: String) { for ch in s { XCTAssertTrue(f.handle(.char(ch))) } }

    func testInsertInTheMiddleAndCursorKeys() {
        let f = TextField()
        type(f, "Jos Álvarez")
        f.cursor = 3
        type(f, "é")
        XCTAssertEqual(f.text, "José Álvarez")
        XCTAssertEqual(f.cursor, 4)
        _ = f.handle(.home); XCTAssertEqual(f.cursor, 0)
        _ = f.handle(.end); XCTAssertEqual(f.cursor, 12)
        _ = f.handle(.left); _ = f.handle(.left); _ = f.handle(.right)
        XCTAssertEqual(f.cursor, 11)
        _ = f.handle(.backspace)
        XCTAssertEqual(f.text, "José Álvarz")
        _ = f.handle(.home); _ = f.handle(.delete)
        XCTAssertEqual(f.text, "osé Álvarz")
        XCTAssertFalse(f.handle(.tab), "Tab is for the form")
        XCTAssertFalse(f.handle(.function(2)))
    }

    func testCtrlWDeletesThePreviousWordAndCtrlUToStart() {
        let f = TextField(text: "Nguyễn Văn An")
        _ = f.handle(.ctrl("w"))
        XCTAssertEqual(f.text, "Nguyễn Văn ")
        _ = f.handle(.ctrl("w"))
        XCTAssertEqual(f.text, "Nguyễn ")
        f.text = "王小明 Wang"
        f.cursor = 3
        _ = f.handle(.ctrl("u"))
        XCTAssertEqual(f.text, " Wang")
        XCTAssertEqual(f.cursor, 0)
        _ = f.handle(.ctrl("k"))
        XCTAssertEqual(f.text, "")
    }

    func testCombiningMarkJoinsThePreviousCharacter() {
        let f = TextField()
        type(f, "Zoe")
        _ = f.handle(.char("\u{308}"))
        XCTAssertEqual(f.text.count, 3)
        XCTAssertEqual(f.cursor, 3)
    }

    func testPasteDropsControlCharacters() {
        let f = TextField()
        f.insert("An\u{1b}[31mna")
        XCTAssertEqual(f.text, "An[31mna")
    }

    func testMaskedRendering() {
        let f = TextField(text: "sécret王", masked: true)
        let c = GridCanvas(rows: 1, cols: 12)
        f.draw(c, row: 0, col: 1, width: 10, focused: true)
        assertLines(c, [" •••••••"])
        XCTAssertEqual(c.style(row: 0, col: 1), .fieldFocused)
        XCTAssertEqual(c.style(row: 0, col: 10), .fieldFocused, "the whole field width is styled")
        XCTAssertEqual(c.cursor?.col, 8)
    }

    func testScrollsToKeepTheCursorVisible() {
        let f = TextField(text: "अनन्या शर्मा 王小明")
        let c = GridCanvas(rows: 1, cols: 8)
        f.draw(c, row: 0, col: 0, width: 8, focused: true)
        assertLines(c, [" 王小明"])
        XCTAssertEqual(c.cursor?.col, 7)
        _ = f.handle(.home)
        f.draw(c, row: 0, col: 0, width: 8, focused: true)
        assertLines(c, ["अनन्या श"])
        XCTAssertEqual(c.cursor?.col, 0)
    }
}

final class TableTests: XCTestCase {
    func table(_ n: Int) -> Table {
        Table(columns: [Column("Name"), Column("Born", width: 10), Column("MRN", width: 4, alignRight: true)],
              rows: (0..<n).map { [names[$0 % names.count], "1980-01-\(10 + $0 % 20)", "\($0)"] })
    }

    func testColumnsStayAlignedInEveryScript() {
        let t = table(5)
        let c = GridCanvas(rows: 6, cols: 30)
        t.draw(c)
        assertLines(c, [
            "Name           Born        MRN",
            "José Álvarez   1980-01-10    0",
            "Zoë Ng         1980-01-11    1",
            "अनन्या शर्मा     1980-01-12    2",
            "王小明         1980-01-13    3",
            "Nguyễn Văn An  1980-01-14    4",
        ])
        for r in 0..<6 {
            XCTAssertEqual(c.cells[r][15].text, r == 0 ? "B" : "1", "row \(r): the Born column starts at cell 15")
        }
        XCTAssertEqual(c.style(row: 0, col: 0), .header)
        XCTAssertEqual(c.style(row: 1, col: 0), .selectedRow)
        XCTAssertEqual(c.style(row: 1, col: 29), .selectedRow)
        XCTAssertEqual(c.style(row: 2, col: 0), .normal)
    }

    func testTruncatesWithEllipsisAtTinyWidth() {
        let t = table(5)
        let c = GridCanvas(rows: 4, cols: 20)
        t.draw(c)
        assertLines(c, [
            "Name Born        MRN",
            "Jos… 1980-01-10    0",
            "Zoë… 1980-01-11    1",
            "           ↓ 3 below",
        ])
    }

    func testScrollingWithPageDown() {
        let t = table(30)
        let c = GridCanvas(rows: 6, cols: 30) // header + 4 rows + the scroll marker
        t.draw(c)
        XCTAssertEqual(t.pageSize, 4)
        XCTAssertEqual(c.lines()[5], "                    ↓ 26 below", "no row is hidden silently")
        XCTAssertEqual(c.style(row: 5, col: 29), .muted)
        XCTAssertTrue(t.handle(.pageDown))
        XCTAssertEqual(t.selected, 4)
        t.draw(c)
        XCTAssertEqual(t.topRow, 1)
        XCTAssertEqual(c.lines()[4], "Nguyễn Văn An  1980-01-14    4")
        XCTAssertEqual(c.style(row: 4, col: 0), .selectedRow)
        XCTAssertEqual(c.lines()[5], "         ↑ 1 above  ↓ 25 below")
        _ = t.handle(.end)
        t.draw(c)
        XCTAssertEqual(t.selected, 29)
        XCTAssertEqual(t.topRow, 26)
        XCTAssertEqual(c.lines()[5], "                    ↑ 26 above")
        _ = t.handle(.pageDown)
        XCTAssertEqual(t.selected, 29, "stays on the last row")
        _ = t.handle(.home); _ = t.handle(.up)
        XCTAssertEqual(t.selected, 0)
        t.draw(c)
        XCTAssertEqual(t.topRow, 0)
    }

    func testEmptyTable() {
        let t = table(0)
        let c = GridCanvas(rows: 3, cols: 30)
        t.draw(c)
        XCTAssertEqual(c.lines()[1], "(nothing to show)")
        XCTAssertFalse(t.handle(.down))
    }
}

final class FormTests: XCTestCase {
    func makeForm() -> Form {
        Form([
            FormField("Family name", validate: { $0.isEmpty ? "required" : nil }),
            FormField("Given name"),
            FormField("Password", TextField(masked: true), validate: { $0.count < 8 ? "at least 8 characters" : nil }),
        ], fieldWidth: 12)
    }

    func testTabAndShiftTabMoveAndValidate() {
        let f = makeForm()
        XCTAssertTrue(f.handle(.tab))
        XCTAssertEqual(f.focus, 1)
        XCTAssertEqual(f.fields[0].error, "required", "leaving an invalid field shows its message")
        XCTAssertTrue(f.handle(.backTab))
        XCTAssertEqual(f.focus, 0)
        XCTAssertTrue(f.handle(.char("王")))
        XCTAssertNil(f.fields[0].error, "typing clears the message")
        XCTAssertFalse(f.handle(.backTab), "Shift-Tab on the first field is for the screen")
        _ = f.handle(.tab); _ = f.handle(.tab)
        XCTAssertEqual(f.focus, 2)
        XCTAssertFalse(f.handle(.tab), "Tab on the last field is for the screen")
    }

    func testInlineValidationMessages() {
        let f = makeForm()
        f.fields[1].input.text = "Ana"
        f.fields[2].input.text = "short"
        f.focus = 1
        XCTAssertFalse(f.validateAll())
        XCTAssertEqual(f.focus, 0, "focus goes to the first bad field")
        let c = GridCanvas(rows: 3, cols: 60)
        f.draw(c, row: 0, focused: true)
        assertLines(c, [
            "Family name                required",
            "Given name   Ana",
            "Password     •••••         at least 8 characters",
        ])
        XCTAssertEqual(c.style(row: 0, col: 27), .error)
        XCTAssertEqual(c.style(row: 0, col: 13), .fieldFocused)
        XCTAssertEqual(c.style(row: 1, col: 13), .field)
        XCTAssertEqual(c.style(row: 0, col: 0), .label)
        XCTAssertEqual(c.cursor?.row, 0)
        XCTAssertEqual(c.cursor?.col, 13)
        f.fields[0].input.text = "Álvarez"
        f.fields[2].input.text = "long enough"
        XCTAssertTrue(f.validateAll())
    }
}
