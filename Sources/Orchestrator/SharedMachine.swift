import SystemSupport
import Sequencing

/// A lab's phases as the other labs of an `xdplab run --jobs N` should see them (`MachineShare`), with a progress
/// line when a phase had to wait, so that a lab's duration explains itself.
enum SharedMachine {
    static func enter(_ phase: MachineShare.Phase, progress: Progress) {
        let waited = MachineShare.current.enter(phase)
        guard waited >= 0.1 else { return }
        let why = phase == .exclusive ? "until the other labs' set-ups and tear-downs ended"
                                      : "while another lab's timing-sensitive phase had the machine"
        progress("waited \(DurationText.seconds(waited, digits: 1)) \(why)")
    }
}
