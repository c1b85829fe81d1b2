# Helpers of the screen (workflow/rules/screen.smk): the trial folders and their chunks.
from pathlib import Path

from hiplbp.screen import chunked, trial_folders  # noqa: E402

SCREEN = config["screen"]
FOLDERS = trial_folders(SCREEN["trials"], root=workflow.basedir)
CHUNKS = chunked(FOLDERS, SCREEN.get("chunk", 50))


def screen_outputs():
    """What a screen makes."""
    return rules.screen.output


def chunk_files(wildcards):
    """Every file of the chunk's trial folders: a changed table reruns its chunk only."""
    files = []
    for folder in CHUNKS[int(wildcards.chunk)]:
        path = Path(workflow.basedir) / folder
        files += sorted(str(Path(folder) / f.name) for f in path.glob("*") if f.is_file()) if path.is_dir() else []
    return files
