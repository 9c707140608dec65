namespace PgxStudio.Engine.Training;

/// <summary>Which verb a config is checked for: training needs a training dataset, prediction an evaluation one.</summary>
public enum ConfigPurpose { Train, Predict }
