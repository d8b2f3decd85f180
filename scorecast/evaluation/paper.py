"""The CPP paper's published numbers and the models and tasks of its experiments.

Zhang et al., "Collaborative Performance Prediction for Large Language Models",
EMNLP 2024. Losses are in the paper's per-model normalisation; rank metrics
(shares, 0-1) were computed with the notebook's scope: within each task, among
the held-out cells only.
"""

import pandas as pd

__all__ = ["TABLE1", "TABLE4", "TABLE5", "TABLE4_MODELS", "TABLE5_TASKS"]

#: Table 1 (5% random validation, mean over 5 splits).
TABLE1 = pd.DataFrame(
    {"mse_paper": [0.0216, 0.0158, 0.0125, 0.0175],
     "l1_paper": [0.0947, 0.0894, 0.0788, 0.0857],
     "accuracy_heldout": [0.4433, 0.4176, 0.4545, 0.3347],
     "mae_at_2_heldout": [0.8316, 0.8498, 0.8454, 0.8408]},
    index=pd.Index(["mf", "ncf", "ncf-factors", "factors-only"], name="method"))

#: Table 4's models, as the paper names them and as cpp-llm spells them.
TABLE4_MODELS = {
    "LLaMA 2-70B": "LLama-2-70B", "LLaMA 3-70B": "Llama 3 70B", "LLaMA-65B": "LLaMA-65B",
    "Luminous Supreme-70B": "Luminous Supreme-70B", "Pythia-12B": "Pythia-12B",
    "Yi-9b": "Yi-9b", "Baichuan 2-13B-Base": "Baichuan 2-13B-Base", "Qwen-14B": "Qwen-14B",
    "TigerBot-70B": "TigerBot-70b", "Gemma-7b": "Gemma-7b", "Falcon-180B": "Falcon-180B",
    "Gopher-280B": "Gopher - 280B",
}

#: Table 4 (factor-enhanced NCF on a new model, MSE with 0 and 2 known scores):
#: the rows the reference page quotes.
TABLE4 = pd.DataFrame(
    {0: [0.0563, 0.1448, 0.0500], 2: [0.017, 0.1087, 0.032]},
    index=pd.Index(["Llama 3 70B", "Gopher - 280B", "Falcon-180B"], name="model"))

#: Table 5 (factor-enhanced NCF on a new task, MSE with 0 and 2 known models).
TABLE5 = pd.DataFrame(
    {0: [0.0220, 0.0710, 0.0341, 0.1244], 2: [0.0182, 0.00725, 0.0251, 0.0763]},
    index=pd.Index(["BoolQ(0-shot)", "BIG-bench hard(3-shot)", "HellaSwag(10-shot)",
                    "HumanEval(pass@1)"], name="task"))
TABLE5_TASKS = list(TABLE5.index)
