// UnCLIPStages stage plugin.
