"""Publishing: attach a DBOM to a model folder, its model card and a Hugging Face Hub upload."""
