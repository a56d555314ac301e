public import FerryCore

/// Failures of the relayer journal.
public enum JournalError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The database file could not be opened or migrated.
    case cannotOpen(path: String, reason: String)
    /// A state change the state machine forbids.
    case illegalTransition(messageId: Bytes32, from: TransferState, to: TransferState)
    /// No transfer with this id is journaled.
    case unknownTransfer(Bytes32)
    /// A stored row could not be read back (corruption or a newer schema).
    case corruptRow(table: String, reason: String)
    /// SQLite failed.
    case database(String)
    /// A batch disagrees with what the journal holds (a node's in-memory view drifted from its journal); nothing
    /// of the batch's group was written.
    case inconsistent(String)

    public var description: String {
        switch self {
        case let .cannotOpen(path, reason): "cannot open journal \(path): \(reason)"
        case let .illegalTransition(id, from, to): "journal refuses \(id.hex): \(from.rawValue) -> \(to.rawValue) is not a legal transition"
        case let .unknownTransfer(id): "no journaled transfer \(id.hex)"
        case let .corruptRow(table, reason): "corrupt row in journal table \(table): \(reason)"
        case let .database(message): "journal database error: \(message)"
        case let .inconsistent(message): "journal batch refused, nothing written: \(message)"
        }
    }
}
