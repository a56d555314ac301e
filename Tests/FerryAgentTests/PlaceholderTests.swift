import Testing
@testable import FerryAgent

@Suite("FerryAgent placeholder")
struct PlaceholderTests {
    @Test("the module links") func links() { #expect(Bool(true)) }
}
