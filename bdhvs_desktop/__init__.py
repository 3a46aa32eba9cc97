"""bdhvs-desktop: quản lý phong trào thi đua "Bình dân học vụ số" cấp phường."""

__version__ = "0.1.0"
APP_NAME = "bdhvs-desktop"
APP_AUTHOR = "bdhvs"
