import FuzzEntryPoints
import FuzzSupport

runFuzzer(FuzzEntry.targets["SASL"]!)
