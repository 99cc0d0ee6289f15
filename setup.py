"""infogan_tf: InfoGAN (Chen et al. 2016) in TensorFlow 2 / Keras 3."""

from setuptools import find_packages, setup

setup(
    name="infogan_tf",
    version="0.1.0",
    description="InfoGAN: interpretable latent codes learned without labels (TF2/Keras 3)",
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    packages=find_packages(include=["infogan_tf", "infogan_tf.*"]),
    python_requires=">=3.10",
    # Ranges here; requirements.txt pins the exact versions run.sh and CI use.
    install_requires=[
        "tensorflow>=2.16,<3",
        "keras>=3.3,<4",
        "tensorflow-datasets>=4.9",
        "importlib-resources>=6",
        "tensorboard>=2.16",
        "absl-py>=2.0",
        "numpy>=1.26",
        "scipy>=1.11",
        "scikit-learn>=1.3",
        "pillow>=10",
    ],
    # tensorflow-serving-api pins tensorflow to its own minor version, so it is optional:
    # only the gRPC half of infogan_tf.serving_client needs it.
    extras_require={"test": ["pytest>=8"], "serving": ["tensorflow-serving-api>=2.16,<3"]},
    entry_points={"console_scripts": ["infogan-train=infogan_tf.main:run",
                                      "infogan-export=infogan_tf.export:run",
                                      "infogan-generate=infogan_tf.generate:run",
                                      "infogan-evaluate=infogan_tf.evaluate:run",
                                      "infogan-reproduce=infogan_tf.reproduce:run"]},
)
