// The FeatureVis module.
