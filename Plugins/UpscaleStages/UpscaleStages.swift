// UpscaleStages stage plugin.
