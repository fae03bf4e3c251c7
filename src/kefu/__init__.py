"""kefu (客服): customer-service operations run by a written service standard."""

__version__ = "0.1.0"
