#!/bin/sh
# Records what a command stack is given (its arguments, the XDPLAB_* environment, its working directory and its
# network namespace) into the file named by its first argument, then runs the rest of its arguments.
out="$1"; shift
{
    for argument in "$@"; do printf 'arg %s\n' "$argument"; done
    env | grep '^XDPLAB_' | sort | sed 's/^/env /'
    printf 'cwd %s\n' "$(pwd)"
    printf 'netns %s\n' "$(ip netns identify $$)"
} > "$out"
exec "$@"
