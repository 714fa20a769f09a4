import XCTest
@testable import WardTerm

final class CanvasTests: XCTestCase {
    func testPutClipsAndStyles() {
        let c = GridCanvas(rows: 2, cols: 10)
        XCTAssertEqual(c.put("王小明 Wang", row: 0, col: 1, style: .title), 10)
        assertLines(c, [" 王小明 Wa", ""])
        XCTAssertEqual(c.style(row: 0, col: 0), .normal)
        XCTAssertEqual(c.style(row: 0, col: 1), .title)
        XCTAssertEqual(c.cells[0][2].text, "", "right half of a wide character")
    }

    func testWideCharacterAtTheEdgeLeavesABlank() {
        let c = GridCanvas(rows: 1, cols: 4)
        c.put("ab王", row: 0, col: 1, style: .normal)
        assertLines(c, [" ab"])
        XCTAssertEqual(c.cells[0][3].text, " ")
    }

    func testOverwritingHalfAWideCharacterBlanksTheOtherHalf() {
        let c = GridCanvas(rows: 1, cols: 6)
        c.put("王小", row: 0, col: 0, style: .normal)
        c.put("x", row: 0, col: 1, style: .error)
        assertLines(c, [" x小"])
    }

    func testEscapeSequencesNeverReachTheTerminal() {
        let c = GridCanvas(rows: 1, cols: 20)
        c.put("Eve\u{1b}]0;pwned\u{7}", row: 0, col: 0, style: .normal)
        XCTAssertFalse(c.cells[0].contains { $0.text.unicodeScalars.contains { $0.value < 0x20 } })
        assertLines(c, ["Eve\u{FFFD}]0;pwned\u{FFFD}"])
    }

    func testSubCanvasClipsAndOffsets() {
        let c = GridCanvas(rows: 3, cols: 10)
        let r = c.region(Rect(row: 1, col: 2, rows: 1, cols: 5))
        r.put("Nguyễn Văn An", row: 0, col: 0, style: .normal)
        r.put("zzz", row: 1, col: 0, style: .normal) // outside the region
        r.setCursor(row: 0, col: 3)
        assertLines(c, ["", "  Nguyễ", ""])
        XCTAssertEqual(c.cursor?.row, 1)
        XCTAssertEqual(c.cursor?.col, 5)
    }

    func testFill() {
        let c = GridCanvas(rows: 2, cols: 4)
        c.fill(Rect(row: 1, col: 1, rows: 5, cols: 2), style: .selectedRow)
        XCTAssertEqual(c.style(row: 1, col: 0), .normal)
        XCTAssertEqual(c.style(row: 1, col: 2), .selectedRow)
        XCTAssertEqual(c.style(row: 0, col: 1), .normal)
    }
}
