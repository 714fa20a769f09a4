import XCTest
@testable import WardTerm

final class TextAreaTests: XCTestCase {
    func type(_ a: TextArea, _ s: String) {
        for ch in s { XCTAssertTrue(ch == "\n" ? a.handle(.enter) : a.handle(.char(ch))) }
    }

    /// A bracketed paste is one key: inserted whole at the cursor, line breaks kept, the
    /// cursor after it, and the text still edits (a field gets it on one line).
    func testAPasteIsInsertedWholeAndStaysEditable() {
        let a = TextArea()
        type(a, "Re: ")
        XCTAssertTrue(a.handle(.paste("first line\r\nsecond line\nend")))
        XCTAssertEqual(a.text, "Re: first line\nsecond line\nend")
        XCTAssertEqual(a.line, 2)
        XCTAssertEqual(a.column, 3)
        _ = a.handle(.backspace)
        type(a, "d.")
        XCTAssertEqual(a.text, "Re: first line\nsecond line\nend.")
        let f = TextField(maxLength: 40)
        XCTAssertTrue(f.handle(.paste("two\nlines")))
        XCTAssertEqual(f.text, "two lines")
        XCTAssertTrue(f.handle(.paste(String(repeating: "x", count: 50))))
        XCTAssertEqual(f.text, "two lines", "a paste past the limit is refused whole")
    }

    func testEnterBreaksTheLineAndBackspaceJoinsIt() {
        let a = TextArea()
        type(a, "Knee pain\nPlan: rest")
        XCTAssertEqual(a.lines.count, 2)
        XCTAssertEqual(a.text, "Knee pain\nPlan: rest")
        _ = a.handle(.home)
        _ = a.handle(.backspace)
        XCTAssertEqual(a.text, "Knee painPlan: rest")
        XCTAssertEqual(a.line, 0)
        XCTAssertEqual(a.column, 9, "the cursor stays where the lines met")
        _ = a.handle(.enter)
        XCTAssertEqual(a.text, "Knee pain\nPlan: rest")
        _ = a.handle(.up); _ = a.handle(.end); _ = a.handle(.delete)
        XCTAssertEqual(a.text, "Knee painPlan: rest", "Delete at the end of a line joins the next")
    }

    func testLeftAndRightCrossLineBreaks() {
        let a = TextArea(text: "ab\ncd")
        _ = a.handle(.home)
        _ = a.handle(.left)
        XCTAssertEqual(a.line, 0); XCTAssertEqual(a.column, 2)
        _ = a.handle(.right)
        XCTAssertEqual(a.line, 1); XCTAssertEqual(a.column, 0)
        _ = a.handle(.end); _ = a.handle(.right)
        XCTAssertEqual(a.line, 1); XCTAssertEqual(a.column, 2, "Right at the very end stays there")
    }

    func testTabAndFunctionKeysAreLeftToTheScreen() {
        let a = TextArea()
        XCTAssertFalse(a.handle(.tab))
        XCTAssertFalse(a.handle(.escape))
        XCTAssertFalse(a.handle(.function(2)))
    }

    func testWideCharactersPutTheCursorByCells() {
        let a = TextArea(text: "王小明 ok")
        let c = GridCanvas(rows: 3, cols: 20)
        a.draw(c, row: 0, col: 1, width: 18, height: 3, focused: true)
        XCTAssertEqual(c.lines()[0], " 王小明 ok")
        XCTAssertEqual(c.cursor?.col, 1 + 9, "three wide characters, a space and two letters")
        _ = a.handle(.home); _ = a.handle(.right); _ = a.handle(.right)
        a.draw(c, row: 0, col: 1, width: 18, height: 3, focused: true)
        XCTAssertEqual(c.cursor?.col, 1 + 4)
    }

    func testLongLinesWrapAtSpacesByCellWidth() {
        let a = TextArea(text: "अनन्या शर्मा has a long name", width: 12, height: 5)
        let shown = a.rows().map { String(a.lines[$0.line][$0.start..<$0.end]) }
        XCTAssertEqual(shown, ["अनन्या शर्मा ", "has a long ", "name"])
        for row in shown { XCTAssertLessThanOrEqual(TextWidth.width(row), 11) }
        // A word longer than a row is cut mid-word, never lost.
        let b = TextArea(text: "王小明王小明王小明", width: 7)
        XCTAssertEqual(b.rows().map { String(b.lines[0][$0.start..<$0.end]) }, ["王小明", "王小明", "王小明"])
    }

    func testUpAndDownMoveByShownRowAndKeepTheColumn() {
        let a = TextArea(text: "abcdefgh\nxy\n王小明王小明", width: 40)
        // Cursor at the end of line 2 (after 6 wide characters = 12 cells).
        _ = a.handle(.up)
        XCTAssertEqual(a.line, 1); XCTAssertEqual(a.column, 2, "a short line takes the cursor to its end")
        _ = a.handle(.up)
        XCTAssertEqual(a.line, 0); XCTAssertEqual(a.column, 8, "and the goal column comes back on a longer one")
        _ = a.handle(.home); _ = a.handle(.right); _ = a.handle(.right); _ = a.handle(.right)
        _ = a.handle(.down); _ = a.handle(.down)
        XCTAssertEqual(a.line, 2); XCTAssertEqual(a.column, 1, "cell 3 is inside the second wide character")
        // Within one wrapped line, Down goes to the next shown row, not the next line.
        let w = TextArea(text: "one two three four five six", width: 10)
        _ = w.handle(.home)
        XCTAssertEqual(w.line, 0)
        _ = w.handle(.down)
        XCTAssertEqual(w.line, 0)
        XCTAssertEqual(w.column, w.rows()[1].start)
        _ = w.handle(.up); _ = w.handle(.up)
        XCTAssertEqual(w.column, 0, "Up on the first row goes to the start")
    }

    func testTheViewScrollsToKeepTheCursorVisible() {
        let a = TextArea(text: (1...20).map { "line \($0)" }.joined(separator: "\n"))
        let c = GridCanvas(rows: 4, cols: 20)
        a.draw(c, row: 0, col: 0, width: 20, height: 4, focused: true)
        XCTAssertEqual(c.lines(), ["line 17", "line 18", "line 19", "line 20"])
        XCTAssertEqual(c.cursor?.row, 3)
        _ = a.handle(.pageUp); _ = a.handle(.pageUp)
        a.draw(c, row: 0, col: 0, width: 20, height: 4, focused: true)
        XCTAssertEqual(a.line, 13)
        XCTAssertEqual(c.lines().first, "line 14")
        XCTAssertEqual(c.cursor?.row, 0)
        _ = a.handle(.pageDown)
        c.clear()
        a.draw(c, row: 0, col: 0, width: 20, height: 4, focused: false)
        XCTAssertEqual(a.line, 16)
        XCTAssertNil(c.cursor, "an unfocused editor does not take the terminal cursor")
    }

    func testPasteKeepsLineBreaksAndDropsControlCharacters() {
        let a = TextArea(text: "Plan:  review")
        for _ in 0..<7 { _ = a.handle(.left) }
        a.insert("rest\r\nice\u{1b}[31m\r")
        XCTAssertEqual(a.text, "Plan: rest\nice[31m\n review")
        XCTAssertEqual(a.line, 2); XCTAssertEqual(a.column, 0)
    }

    func testCombiningMarkJoinsThePreviousCharacter() {
        let a = TextArea(text: "Zoe")
        _ = a.handle(.char("\u{308}"))
        XCTAssertEqual(a.text, "Zoë")
        XCTAssertEqual(a.column, 3)
    }

    func testMaxLengthRefusesWhatDoesNotFit() {
        let a = TextArea(text: "abc\nde", maxLength: 7)
        XCTAssertEqual(a.count, 6)
        _ = a.handle(.char("f"))
        XCTAssertEqual(a.count, 7)
        _ = a.handle(.enter)
        a.insert("xy")
        XCTAssertEqual(a.text, "abc\ndef")
    }

    func testDeletingWordsAndToTheEnds() {
        let a = TextArea(text: "Nguyễn Văn An\nsecond")
        _ = a.handle(.up); _ = a.handle(.end)
        _ = a.handle(.ctrl("w"))
        XCTAssertEqual(a.text, "Nguyễn Văn \nsecond")
        _ = a.handle(.ctrl("u"))
        XCTAssertEqual(a.text, "\nsecond")
        _ = a.handle(.ctrl("k"))
        XCTAssertEqual(a.text, "second", "^K at the end of a line joins the next")
        XCTAssertTrue(TextArea(text: " \n\t").isBlank)
        XCTAssertFalse(a.isBlank)
    }
}
