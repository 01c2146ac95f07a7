"""Fashion-MNIST loader: the idx.gz files shipped under /usr/share/datasets/fashion-mnist.

    import fashion_mnist
    vectors, labels = fashion_mnist.load("train")   # float32 [60000, 784], int64 [60000]
    vectors, labels = fashion_mnist.load("test")    # float32 [10000, 784], int64 [10000]

Vectors are the raw pixel intensities 0..255 (28 x 28 images, row-major), as in
ann-benchmarks' fashion-mnist-784-euclidean; labels are the class numbers 0..9
(CLASSES names them). Set FASHION_MNIST_DIR or pass directory= to read elsewhere.
"""

import gzip
import os

import numpy as np

DEFAULT_DIR = "/usr/share/datasets/fashion-mnist"
CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
           "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")
_FILES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}


def _read_idx(path):
    """One idx file as a numpy array of unsigned bytes, shaped as its header says."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] != 0x08:
        raise ValueError(f"{path}: not an idx file of unsigned bytes")
    ndim = data[3]
    header = 4 + 4 * ndim
    shape = tuple(int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim))
    count = int(np.prod(shape))
    if len(data) != header + count:
        raise ValueError(f"{path}: {len(data) - header} bytes of data, header says {count}")
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(shape)


def load(split, directory=None):
    """(vectors float32 [n, 784], labels int64 [n]) of the "train" or "test" split."""
    if split not in _FILES:
        raise ValueError(f"split must be 'train' or 'test', not {split!r}")
    directory = directory or os.environ.get("FASHION_MNIST_DIR", DEFAULT_DIR)
    images_file, labels_file = _FILES[split]
    images = _read_idx(os.path.join(directory, images_file))
    labels = _read_idx(os.path.join(directory, labels_file))
    if images.ndim != 3 or labels.ndim != 1 or images.shape[0] != labels.shape[0]:
        raise ValueError(f"{split}: images {images.shape} and labels {labels.shape} disagree")
    vectors = images.reshape(images.shape[0], -1).astype(np.float32)
    return vectors, labels.astype(np.int64)


if __name__ == "__main__":
    for name in ("train", "test"):
        v, l = load(name)
        print(name, v.shape, v.dtype, l.shape, "classes:", np.bincount(l).tolist())
