// FerryCore's API is written in FerryCrypto's value types (Bytes32, addresses, signatures), so importing
// FerryCore brings them along.
@_exported public import FerryCrypto
