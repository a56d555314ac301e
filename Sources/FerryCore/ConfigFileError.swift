/// A configuration file Ferry cannot use (chain registry entries, relayer configs, spending policies):
/// which file, which field, what is wrong.
public struct ConfigFileError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file (or the label the caller gave the text).
    public let file: String
    /// Dotted path of the field (`lanes[0].capacity`), nil for whole-file problems.
    public let field: String?
    /// What is wrong, in words a person can act on.
    public let problem: String

    /// Creates an error; an empty `field` means the whole file.
    public init(file: String, field: String?, problem: String) {
        self.file = file
        self.field = (field?.isEmpty ?? true) ? nil : field
        self.problem = problem
    }

    /// `file: field: problem`, or `file: problem` for the whole file.
    public var description: String {
        if let field { return "\(file): \(field): \(problem)" }
        return "\(file): \(problem)"
    }
}
