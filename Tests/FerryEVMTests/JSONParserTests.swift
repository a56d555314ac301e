import Testing

@testable import FerryEVM

@Suite("JSON parser for JSON-RPC answers")
struct JSONParserTests {
    @Test("valid texts parse to the same values", arguments: [
        (#"{"a":[1,-2,3.5,"x\"y\u00e9\n",true,false,null],"b":{}}"#,
         JSONValue.object(["a": [1, -2, .double(3.5), "x\"yé\n", true, false, .null], "b": .object([:])])),
        (" [ ] ", .array([])),
        (#""\ud83d\ude00""#, .string("😀")),
        ("9223372036854775807", .integer(Int64.max)),
        ("9223372036854775808", .double(9_223_372_036_854_775_808)),
        ("1e2", .double(100)),
    ])
    func parses(text: String, value: JSONValue) throws {
        #expect(try JSONParser.parse(Array(text.utf8)) == value)
    }

    @Test("invalid texts are refused with an offset", arguments: [
        "", "[1,]", "{\"a\":1,}", "01", "1.", "-", "[1 2]", "{\"a\" 1}", "\"abc", "\"a\u{01}b\"", "nul", "[1]x",
        "{'a':1}", "\"\\x\"", "/* c */ 1",
    ])
    func refused(text: String) {
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(Array(text.utf8)) }
    }

    @Test("nesting deeper than the limit is refused without exhausting the stack")
    func deepNesting() throws {
        let ok = String(repeating: "[", count: JSONParser.maxDepth) + String(repeating: "]", count: JSONParser.maxDepth)
        _ = try JSONParser.parse(Array(ok.utf8))
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        let error = #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(Array(deep.utf8)) }
        #expect(error?.reason.contains("nested deeper") == true)
    }
}
