import WardClient
import XCTest

final class ConnectionTargetTests: XCTestCase {
    func testOrderFlagThenConfigThenEnvironment() {
        XCTAssertEqual(ConnectionTarget.resolve(flag: "host=a", configDSN: "host=b", environment: ["PGHOST": "c"]), .dsn("host=a"))
        XCTAssertEqual(ConnectionTarget.resolve(flag: nil, configDSN: "host=b", environment: ["PGHOST": "c"]), .dsn("host=b"))
        XCTAssertEqual(ConnectionTarget.resolve(flag: nil, configDSN: nil, environment: ["PGSERVICE": "ward"]), .libpqDefaults)
        XCTAssertEqual(ConnectionTarget.resolve(flag: "", configDSN: "", environment: ["HOME": "/root"]), .none)
        XCTAssertEqual(ConnectionTarget.libpqDefaults.conninfo, "")
        XCTAssertNil(ConnectionTarget.none.conninfo)
    }

    func testGuidanceNamesEveryWay() {
        for needle in ["--dsn", "config.toml", "PGHOST", "ward demo"] {
            XCTAssertTrue(ConnectionTarget.guidance.contains(needle), needle)
        }
    }
}
