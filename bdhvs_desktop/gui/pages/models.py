"""The old name of the digital models page (`gui/pages/digital_models.py`): "models" read as the
ORM's models. Kept so that older imports keep working."""

from bdhvs_desktop.gui.pages.digital_models import (
    AdvanceDialog,
    FigureDialog,
    MenteeDialog,
    ModelDialog,
    ModelsPage,
    ReplicationDialog,
    SolutionDialog,
)

__all__ = ["AdvanceDialog", "FigureDialog", "MenteeDialog", "ModelDialog", "ModelsPage", "ReplicationDialog",
           "SolutionDialog"]
