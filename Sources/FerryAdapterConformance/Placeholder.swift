public enum AdapterConformancePlaceholder {}
