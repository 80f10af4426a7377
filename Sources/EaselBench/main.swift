print("easel-bench: not built yet")
