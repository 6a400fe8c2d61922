"""medreview: audit consumer health articles the way a careful medical editor would."""

__version__ = "0.1.0"
