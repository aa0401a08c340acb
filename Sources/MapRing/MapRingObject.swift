import BPFSupport

/// Opening the map-ring programs (Labs/programs/map_ring.bpf.c, map_ring_overwrite.bpf.c).
public enum MapRingObject {
    /// Opens `objectPath` (compiled with `BPFCompiler`), sets the UDP port it claims and loads it.
    /// The port is the `const volatile` global `ring_port`, so it is fixed once loaded; 0 claims nothing.
    public static func load(path objectPath: String, port: UInt16) throws -> BPFObject {
        let object = try BPFObject(path: objectPath)
        try object.setGlobal(MapRingLayout.portGlobal, to: port)
        try object.load()
        return object
    }
}
