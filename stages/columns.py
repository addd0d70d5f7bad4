"""Adding or replacing a column of a batch: the one table edit every annotating stage needs."""

from __future__ import annotations

import pyarrow as pa


def set_column(table: pa.Table, name: str, values: pa.Array) -> pa.Table:
    """``table`` with column ``name`` replaced by ``values`` (appended if it is new)."""
    index = table.schema.get_field_index(name)
    if index < 0:
        return table.append_column(name, values)
    return table.set_column(index, pa.field(name, values.type), values)
