#pragma once
// Shims for what Swift cannot express over libbpf/libxdp (macros such as LIBBPF_OPTS). One reason each.
