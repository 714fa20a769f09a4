import CNcursesw
import TOMLKit

/// Placeholder so the module builds until the terminal engine lands.
public enum WardTerm {}
