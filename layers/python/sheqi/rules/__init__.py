"""Pure rules of the regulations: plain values in, decisions out; no AWS, no HTTP."""
