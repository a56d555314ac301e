public import FerryCore

/// A chain registry file that cannot be used: which file, which field, what is wrong.
public typealias RegistryError = ConfigFileError
