"""T5's SentencePiece tokenizer files: checked with the sentencepiece library, copied into the package.

The studio tokenizes with T5's rules (ids from `spiece.model`, `</s>` = 1 appended, pad = 0, truncated and
padded to the STDiT3's `model_max_length`, 300 for Open-Sora 1.2) after Open-Sora's prompt preparation, which
ends with the aesthetic-score suffix of `configs/opensora-v1-2/inference/sample.py` (aes 6.5).
"""
import os
import shutil

import sentencepiece

from untrusted_files import ImportRefused, read_json, regular_file

PROMPT_SUFFIX = " aesthetic score: 6.5."
PAD_PIECE, END_PIECE = "<pad>", "</s>"


class TokenizerFiles:
    def __init__(self, folder):
        self.folder = folder
        self.path = regular_file(folder, "spiece.model") or os.path.join(folder, "spiece.model")
        if not os.path.isfile(self.path):
            raise ImportRefused(f"{self.path}: missing; --t5 expects DeepFloyd/t5-v1_1-xxl with its spiece.model")
        sp = sentencepiece.SentencePieceProcessor()
        try:
            sp.Load(self.path)
        except (RuntimeError, OSError) as err:
            raise ImportRefused(f"{self.path}: not a SentencePiece model ({str(err).strip() or type(err).__name__})") from None
        self.vocab_size = sp.GetPieceSize()
        self.pad_id, self.end_id = sp.PieceToId(PAD_PIECE), sp.PieceToId(END_PIECE)
        if sp.IdToPiece(self.pad_id) != PAD_PIECE or sp.IdToPiece(self.end_id) != END_PIECE:
            raise ImportRefused(f"{self.path}: has no {PAD_PIECE!r}/{END_PIECE!r} pieces; not a T5 tokenizer")
        self.config_path = os.path.join(folder, "tokenizer_config.json")
        if regular_file(folder, "tokenizer_config.json") is not None:
            read_json(self.config_path, 1024 * 1024)

    def copy_into(self, folder, max_tokens):
        """Copy the files; the manifest's tokenizer entry."""
        shutil.copyfile(self.path, os.path.join(folder, "spiece.model"))
        if os.path.isfile(self.config_path):
            shutil.copyfile(self.config_path, os.path.join(folder, "tokenizer_config.json"))
        return {"kind": "sentencepiece", "modelFile": "spiece.model", "maxTokens": max_tokens, "padId": self.pad_id,
                "endId": self.end_id, "promptSuffix": PROMPT_SUFFIX}


def check(folder):
    return TokenizerFiles(folder)
