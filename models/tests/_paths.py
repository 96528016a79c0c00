"""Paths shared by the Python tests (run: /usr/bin/python3 -m unittest discover -s models/tests)."""
import os
import sys

MODELS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO = os.path.dirname(MODELS)
TINY = os.path.join(REPO, 'public', 'models', 'cxr-llava-tiny')
GOLDEN = os.path.join(MODELS, 'tiny', 'golden')
TOKENIZER_JSON = os.path.join(TINY, 'tokenizer.json')

if MODELS not in sys.path:
    sys.path.insert(0, MODELS)
