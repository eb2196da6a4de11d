"""Training data: Fashion-MNIST from its Debian package, or a folder with a sub-folder per class."""

from __future__ import annotations

import gzip
import os
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from contentgen.errors import TrainingError, ValidationError
from contentgen.image_classes import FASHION_MNIST_CLASSES

if TYPE_CHECKING:
    import torch

FASHION_MNIST = "fashion-mnist"
FASHION_MNIST_PACKAGE = "dataset-fashion-mnist"
FASHION_MNIST_DIR = Path("/usr/share/datasets/fashion-mnist")
FASHION_MNIST_ENV = "CONTENTGEN_FASHION_MNIST_DIR"
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff"})
_IDX_IMAGES = 0x00000803
_IDX_LABELS = 0x00000801


@dataclass(frozen=True)
class ImageDataset:
    """Images as uint8 (N, C, H, W) with int64 labels and the class names they index."""

    images: torch.Tensor
    labels: torch.Tensor
    class_names: tuple[str, ...]
    source: str

    def __len__(self) -> int:
        return int(self.images.shape[0])

    @property
    def channels(self) -> int:
        """Colour channels: 1 (grayscale) or 3 (RGB)."""
        return int(self.images.shape[1])

    @property
    def image_size(self) -> int:
        """Side length in pixels (images are square)."""
        return int(self.images.shape[-1])

    def floats(self, index: torch.Tensor | slice) -> torch.Tensor:
        """The selected images as float32 in [0, 1]."""
        return self.images[index].float().div_(255.0)

    def subset(self, limit: int | None) -> ImageDataset:
        """The first `limit` images (all when None); used for quick runs and tests."""
        if limit is None or limit >= len(self):
            return self
        return ImageDataset(self.images[:limit], self.labels[:limit], self.class_names, self.source)


@dataclass(frozen=True)
class DataSplits:
    """A training split and a held-out split (possibly empty) of the same classes."""

    train: ImageDataset
    test: ImageDataset


def fashion_mnist_dir() -> Path:
    """Where Fashion-MNIST's idx files are: $CONTENTGEN_FASHION_MNIST_DIR or the Debian path."""
    return Path(os.environ.get(FASHION_MNIST_ENV) or FASHION_MNIST_DIR)


def _read_idx(path: Path, magic: int) -> tuple[tuple[int, ...], bytes]:
    with gzip.open(path, "rb") as handle:
        raw = handle.read()
    found, count = struct.unpack(">II", raw[:8])
    if found != magic:
        raise TrainingError(
            f"{path} is not an idx file (magic {found:#010x}, expected {magic:#010x})"
        )
    dims: tuple[int, ...] = (count,)
    offset = 8
    if magic == _IDX_IMAGES:
        rows, cols = struct.unpack(">II", raw[8:16])
        dims, offset = (count, rows, cols), 16
    return dims, raw[offset:]


def load_fashion_mnist(split: str = "train", root: Path | None = None) -> ImageDataset:
    """Fashion-MNIST's 60k training or 10k test images (split "train" or "test")."""
    import torch

    if split not in ("train", "test"):
        raise ValidationError("split", f"unknown split {split!r}", ("train", "test"))
    root = root or fashion_mnist_dir()
    prefix = "train" if split == "train" else "t10k"
    images_path = root / f"{prefix}-images-idx3-ubyte.gz"
    labels_path = root / f"{prefix}-labels-idx1-ubyte.gz"
    missing = [p for p in (images_path, labels_path) if not p.is_file()]
    if missing:
        raise TrainingError(
            f"Fashion-MNIST is missing ({missing[0]} not found). Install the Debian package "
            f"{FASHION_MNIST_PACKAGE!r} (`apt-get install {FASHION_MNIST_PACKAGE}`), set "
            f"{FASHION_MNIST_ENV} to a folder holding the *-idx?-ubyte.gz files, or train on "
            "--data PATH (a folder with one sub-folder of images per class)"
        )
    dims, pixels = _read_idx(images_path, _IDX_IMAGES)
    (count,), labels = _read_idx(labels_path, _IDX_LABELS)
    if count != dims[0]:
        raise TrainingError(
            f"{images_path} holds {dims[0]} images but {labels_path} {count} labels"
        )
    images = torch.frombuffer(bytearray(pixels), dtype=torch.uint8).reshape(dims[0], 1, *dims[1:])
    targets = torch.frombuffer(bytearray(labels), dtype=torch.uint8).long()
    return ImageDataset(images, targets, FASHION_MNIST_CLASSES, f"{FASHION_MNIST}:{split}")


def _class_folders(root: Path) -> list[Path]:
    if not root.is_dir():
        raise ValidationError(
            "data",
            f"{root} is not a folder; give {FASHION_MNIST!r} or a folder of class sub-folders",
        )
    folders = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not folders:
        raise ValidationError("data", f"{root} has no class sub-folders (e.g. {root}/dress/*.png)")
    return folders


def load_image_folder(root: Path, image_size: int, channels: int) -> ImageDataset:
    """Every image under root/<class>/, centre-cropped square, resized, grayscale or RGB."""
    import numpy as np
    import torch
    from PIL import Image, ImageOps

    if channels not in (1, 3):
        raise ValidationError("channels", f"must be 1 or 3, got {channels}", (1, 3))
    mode = "L" if channels == 1 else "RGB"
    arrays, labels, names = [], [], []
    for index, folder in enumerate(_class_folders(root)):
        files = sorted(p for p in folder.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES)
        if not files:
            raise ValidationError("data", f"class folder {folder} holds no images", IMAGE_SUFFIXES)
        names.append(folder.name)
        for path in files:
            try:
                with Image.open(path) as image:
                    fitted = ImageOps.fit(image.convert(mode), (image_size, image_size))
            except OSError as exc:
                raise ValidationError("data", f"cannot read image {path}: {exc}") from exc
            array = np.asarray(fitted, dtype=np.uint8)
            arrays.append(array[None] if channels == 1 else array.transpose(2, 0, 1))
            labels.append(index)
    images = torch.from_numpy(np.stack(arrays))
    return ImageDataset(images, torch.tensor(labels, dtype=torch.long), tuple(names), str(root))


def _holdout(data: ImageDataset, fraction: float, seed: int) -> DataSplits:
    import torch

    order = torch.randperm(len(data), generator=torch.Generator().manual_seed(seed))
    n_test = int(len(data) * fraction) if len(data) >= 20 else 0
    test, train = order[:n_test], order[n_test:]
    return DataSplits(
        ImageDataset(data.images[train], data.labels[train], data.class_names, data.source),
        ImageDataset(
            data.images[test], data.labels[test], data.class_names, data.source + ":held-out"
        ),
    )


def load_splits(data: str | Path, image_size: int = 28, channels: int = 1) -> DataSplits:
    """The data a `--data` value names: Fashion-MNIST (train/test) or a folder (90/10 split)."""
    if str(data) == FASHION_MNIST:
        train, test = load_fashion_mnist("train"), load_fashion_mnist("test")
        if (image_size, channels) != (train.image_size, train.channels):
            raise ValidationError(
                "model config",
                f"Fashion-MNIST is {train.image_size}x{train.image_size} with 1 channel; "
                f"got image_size={image_size}, channels={channels}",
            )
        return DataSplits(train, test)
    # A fixed split seed keeps the held-out images the same whatever the training seed.
    return _holdout(load_image_folder(Path(data), image_size, channels), 0.1, seed=1234)
