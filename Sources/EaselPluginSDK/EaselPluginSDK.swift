// EaselPluginSDK: describe stages in Swift, export them through the C ABI.
import CEaselPluginABI
