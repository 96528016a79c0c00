"""The checkpoint's language model as a plain Hugging Face Llama folder (LlamaForCausalLM names,
safetensors shards + index, config.json with model_type "llama"), the input that
`mlc_llm convert_weight` / `gen_config` accept. CXR-LLaVA's `llama.*` + `lm_head.*` map 1:1 onto
`model.*` + `lm_head.*`."""

import json
import os
import shutil

import torch

_ST_NAMES = {torch.float32: 'F32', torch.float16: 'F16', torch.bfloat16: 'BF16'}
SHARD_BYTES = 2 << 30


def _tensor_bytes(t):
    t = t.contiguous()
    if t.dtype == torch.bfloat16:  # numpy has no bf16: move the raw 16-bit words
        return t.view(torch.int16).numpy().tobytes()
    return t.numpy().tobytes()


def write_safetensors(tensors, path):
    header, offset = {}, 0
    for name, t in tensors:
        n = t.numel() * t.element_size()
        header[name] = {'dtype': _ST_NAMES[t.dtype], 'shape': list(t.shape),
                        'data_offsets': [offset, offset + n]}
        offset += n
    blob = json.dumps(header, separators=(',', ':')).encode('utf-8')
    blob += b' ' * (-len(blob) % 8)  # data starts 8-byte aligned
    with open(path, 'wb') as f:
        f.write(len(blob).to_bytes(8, 'little'))
        f.write(blob)
        for _, t in tensors:
            f.write(_tensor_bytes(t))


def llama_state_dict(state_dict):
    out = []
    for k, v in state_dict.items():
        if k.startswith('llama.') and not k.endswith('rotary_emb.inv_freq'):
            out.append(('model.' + k[len('llama.'):], v))
        elif k == 'lm_head.weight':
            out.append((k, v))
    return out


def write_hf_llama(state_dict, config, ckpt_dir, out_dir, tokenizer_files):
    os.makedirs(out_dir, exist_ok=True)
    tensors = llama_state_dict(state_dict)
    shards, current, size = [], [], 0
    for name, t in tensors:
        n = t.numel() * t.element_size()
        if current and size + n > SHARD_BYTES:
            shards.append(current)
            current, size = [], 0
        current.append((name, t))
        size += n
    if current:
        shards.append(current)
    weight_map = {}
    for i, shard in enumerate(shards):
        fname = 'model-%05d-of-%05d.safetensors' % (i + 1, len(shards))
        write_safetensors(shard, os.path.join(out_dir, fname))
        weight_map.update({name: fname for name, _ in shard})
    total = sum(t.numel() * t.element_size() for _, t in tensors)
    with open(os.path.join(out_dir, 'model.safetensors.index.json'), 'w', encoding='utf-8') as f:
        json.dump({'metadata': {'total_size': total}, 'weight_map': weight_map}, f, indent=2)
    llama = dict(config['llama'])
    llama['architectures'] = ['LlamaForCausalLM']
    llama['model_type'] = 'llama'
    # mlc_llm sizes its context from here; the reference's own limit is the top-level value.
    llama.setdefault('max_position_embeddings', 4096)
    with open(os.path.join(out_dir, 'config.json'), 'w', encoding='utf-8') as f:
        json.dump(llama, f, indent=2)
    for name in tokenizer_files + ['generation_config.json']:
        src = os.path.join(ckpt_dir, name)
        if os.path.exists(src):
            shutil.copyfile(src, os.path.join(out_dir, name))
