public struct Y {}
