"""manifest.json (the ModelManifest of src/model/manifest.ts): prompts, licence texts, file
list with sizes and sha256."""

import hashlib
import json
import os

# The reference's prompts (CXR_LLAVA_HF.py: write_radiologic_report / write_differential_diagnosis
# / ask_question), verbatim.
SYSTEM = ('You are a helpful radiologist. Try to interpret chest x ray image and answer to the '
          'question that user provides.')
PROMPTS = {
    'system': SYSTEM,
    'report': ('<image>\nWrite a radiologic report on the given chest radiograph, including '
               'information about atelectasis, cardiomegaly, consolidation, pulmonary edema, '
               'pleural effusion, and pneumothorax.\n'),
    'differential': '<image>\nWhat are the possible differential diagnoses for this patient?\n',
    'question': '<image>\n{question}',
    'imageToken': '<image>',
}
# The reference's arguments (temperature 0.2, top_p 0.8, at most 512 new tokens) on transformers
# 4.36's GenerationConfig defaults, which the checkpoint's empty generation_config.json leaves in
# force: top_k 50.
GENERATION = {'temperature': 0.2, 'topP': 0.8, 'topK': 50, 'maxNewTokens': 512}

REAL_LICENSE = {
    'name': 'CC BY-NC 4.0 + LLAMA 2 Community License',
    'text': (
        'CXR-LLaVA v2 weights (ECOFRI/CXR-LLAVA-v2) are released by their authors under the '
        'Creative Commons Attribution-NonCommercial 4.0 International licence '
        '(https://creativecommons.org/licenses/by-nc/4.0/): non-commercial use only, with '
        'attribution (Lee S. et al., "CXR-LLaVA: a multimodal large language model for '
        'interpreting chest X-ray images", European Radiology 2024). The language model is '
        'derived from Llama 2 and is also subject to the LLAMA 2 Community License Agreement '
        '(https://ai.meta.com/llama/license/) and its Acceptable Use Policy: "Llama 2 is '
        'licensed under the LLAMA 2 Community License, Copyright (c) Meta Platforms, Inc. All '
        'Rights Reserved." This converted copy (ONNX / MLC formats) carries the same terms. '
        'It is a research tool, not a medical device: every output must be checked by a '
        'qualified radiologist.'),
}
TINY_LICENSE = {
    'name': 'Random test weights + LLAMA 2 tokenizer',
    'text': (
        'The weights of this tiny model are random numbers made by models/make_tiny_checkpoint.py '
        '(fixed seed) and carry no restriction; they encode no medical knowledge and their output '
        'is meaningless. The tokenizer (tokenizer.json) is the Llama 2 tokenizer vocabulary, part '
        'of the Llama Materials under the LLAMA 2 Community License Agreement '
        '(https://ai.meta.com/llama/license/), Copyright (c) Meta Platforms, Inc. All Rights '
        'Reserved.'),
}


def sha256(path):
    h = hashlib.sha256()
    with open(path, 'rb') as f:
        for chunk in iter(lambda: f.read(1 << 20), b''):
            h.update(chunk)
    return h.hexdigest()


def file_entries(out_dir):
    entries = []
    for root, _, files in os.walk(out_dir):
        for name in files:
            full = os.path.join(root, name)
            rel = os.path.relpath(full, out_dir).replace(os.sep, '/')
            if rel == 'manifest.json':
                continue
            entries.append({'path': rel, 'bytes': os.path.getsize(full), 'sha256': sha256(full)})
    return sorted(entries, key=lambda e: e['path'])


def write_manifest(out_dir, manifest):
    manifest['files'] = file_entries(out_dir)
    with open(os.path.join(out_dir, 'manifest.json'), 'w', encoding='utf-8') as f:
        json.dump(manifest, f, indent=2, ensure_ascii=False)
        f.write('\n')
