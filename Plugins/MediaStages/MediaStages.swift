// MediaStages stage plugin.
