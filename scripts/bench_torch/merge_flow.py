"""The PyTorch flow merge-daconv's merge is measured against: torch.load, fold every DAConv of a state_dict
in float64 (rounded once to the dtype), torch.save. Usage: merge_flow.py INPUT OUTPUT"""
import sys

import torch


def fold(state):
    out = type(state)()
    done = set()
    for key in state:
        if key.endswith(("cac.weight", "cac.bias", "cdc.weight", "cdc.bias", "cac_theta", "cdc_theta")):
            prefix = key.rsplit(".", 2)[0] if key.endswith(("weight", "bias")) else key.rsplit(".", 1)[0]
            if prefix in done:
                continue
            done.add(prefix)
            wa, wd = state[prefix + ".cac.weight"], state[prefix + ".cdc.weight"]
            ta = torch.sigmoid(state[prefix + ".cac_theta"].double())
            td = torch.sigmoid(state[prefix + ".cdc_theta"].double())
            a, d = wa.double().clone(), wd.double().clone()
            ch, cw = a.shape[2] // 2, a.shape[3] // 2
            a[:, :, ch, cw] += a.sum((2, 3))
            d[:, :, ch, cw] -= d.sum((2, 3))
            out[prefix + ".weight"] = (ta * a + td * d).to(wa.dtype)
            if prefix + ".cac.bias" in state:
                out[prefix + ".bias"] = (ta * state[prefix + ".cac.bias"].double()
                                         + td * state[prefix + ".cdc.bias"].double()).to(wa.dtype)
        else:
            out[key] = state[key]
    return out


def main():
    torch.save(fold(torch.load(sys.argv[1], map_location="cpu", weights_only=True)), sys.argv[2])


if __name__ == "__main__":
    main()
