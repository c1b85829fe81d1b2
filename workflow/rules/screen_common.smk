# Helpers of the screen (workflow/rules/screen.smk): the trial folders and their chunks.
from pathlib import Path

from hiplbp.screen import chunked, trial_folders  # noqa: E402

SCREEN = config["screen"]
# the repository root, read while the Snakefile is parsed (an input function runs later, when
# workflow.basedir may name the directory of the last included file)
SCREEN_ROOT = Path(workflow.basedir)
FOLDERS = trial_folders(SCREEN["trials"], root=SCREEN_ROOT)
CHUNKS = chunked(FOLDERS, SCREEN.get("chunk", 50))


def screen_outputs():
    """What a screen makes."""
    return rules.screen.output


def chunk_files(wildcards):
    """Every file of the chunk's trial folders: a changed table reruns its chunk only."""
    files = []
    for folder in CHUNKS[int(wildcards.chunk)]:
        path = SCREEN_ROOT / folder
        files += sorted(str(Path(folder) / f.name) for f in path.glob("*") if f.is_file()) if path.is_dir() else []
    return files
