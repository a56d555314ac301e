import FerryCore
import Testing
