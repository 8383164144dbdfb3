"""Training time: record, verify and write the DBOM from a training run (`Recorder`, the Trainer callback).

`dbom.training.transformers` imports `transformers`: import it only when you use it.
"""
