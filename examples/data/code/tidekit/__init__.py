"""tidekit: read tide tables and answer simple questions about them."""

from tidekit.tables import TideEvent, next_low_water, read_table

__all__ = ["TideEvent", "next_low_water", "read_table"]
__version__ = "0.3.1"
