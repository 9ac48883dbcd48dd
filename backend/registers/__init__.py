"""Registers (attendance marks, walk-ins, locking), participant records' reads
and lifecycle (search, merge, erase, export)."""
