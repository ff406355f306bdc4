import Testing
@testable import CAIR2Kit
