import Foundation
import LabModel
import Realization
import SystemSupport

/// How long a lab's topology takes to build and to tear down, without a stack or traffic.
public enum TopologyTiming {
    public static func measure(_ lab: Lab) throws -> (bringUp: Double, tearDown: Double) {
        let run = Ownership.newRunID()
        let start = monotonicSeconds()
        let realized = try RunSetup.realize(lab, run: run, progress: .silent)
        let built = monotonicSeconds()
        RunSetup.tearDown(realized, progress: .silent)
        return (built - start, monotonicSeconds() - built)
    }
}
