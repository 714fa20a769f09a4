import XCTest
@testable import WardTerm

final class TextWidthTests: XCTestCase {
    func testWidths() {
        XCTAssertEqual(TextWidth.width("abc"), 3)
        XCTAssertEqual(TextWidth.width("王小明"), 6, "CJK is two cells each")
        XCTAssertEqual(TextWidth.width("e\u{301}"), 1, "a combining mark takes no cell")
        XCTAssertEqual(TextWidth.width("José Álvarez"), 12)
        XCTAssertEqual(TextWidth.width("Nguyễn Văn An"), 13)
        XCTAssertEqual(TextWidth.width("Zoe\u{308} Ng"), 6, "decomposed ë")
        XCTAssertEqual(TextWidth.width("अनन्या शर्मा"), 10, "viramas take no cell; vowel signs do")
        XCTAssertEqual(TextWidth.width("😀"), 2)
        XCTAssertEqual(TextWidth.width("\u{200B}"), 0, "zero-width space")
    }

    func testConjunctIsOneClusterOfSeveralCells() {
        let conjunct = Array("अनन्या")[2]
        XCTAssertEqual(TextWidth.width(of: conjunct), 3)
        XCTAssertEqual(TextWidth.cells(of: conjunct).map(\.text), ["न्", "य", "ा"])
    }

    func testTruncateNeverSplitsWideOrClusters() {
        XCTAssertEqual(TextWidth.truncate("王小明", to: 6), "王小明")
        XCTAssertEqual(TextWidth.truncate("王小明", to: 5), "王小…")
        XCTAssertEqual(TextWidth.truncate("王小明", to: 4), "王…")
        XCTAssertEqual(TextWidth.truncate("José Álvarez", to: 5), "José…")
        XCTAssertEqual(TextWidth.truncate("Zoe\u{308} Ng", to: 4), "Zoe\u{308}…")
        XCTAssertEqual(TextWidth.truncate("अनन्या", to: 4), "अन…", "the 3-cell conjunct does not fit in 2")
        XCTAssertEqual(TextWidth.truncate("abc", to: 0), "")
        for s in names {
            for n in 1...14 { XCTAssertLessThanOrEqual(TextWidth.width(TextWidth.truncate(s, to: n)), n) }
        }
    }

    func testFitPadsToExactWidth() {
        for s in names {
            for n in [1, 3, 5, 8, 12, 20] {
                XCTAssertEqual(TextWidth.width(TextWidth.fit(s, to: n)), n, "\(s) at \(n)")
            }
        }
        XCTAssertEqual(TextWidth.fit("42", to: 5, alignRight: true), "   42")
    }

    func testControlCharactersAreReplaced() {
        XCTAssertEqual(TextWidth.sanitize("A\u{1b}[2JB"), "A\u{FFFD}[2JB")
        XCTAssertEqual(TextWidth.sanitize("x\u{9b}y\u{7f}\u{0}"), "x\u{FFFD}y\u{FFFD}\u{FFFD}")
        XCTAssertEqual(TextWidth.sanitize("Zoë"), "Zoë")
    }

    func testWrap() {
        XCTAssertEqual(TextWidth.wrap("Delete José Álvarez from this list?", to: 15),
                       ["Delete José", "Álvarez from", "this list?"])
    }
}
