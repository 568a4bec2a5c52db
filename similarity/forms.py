from django import forms


class ReferenceDocumentForm(forms.Form):
    title = forms.CharField(label="名称", max_length=200, required=False, help_text="留空则用文件名。")
    file = forms.FileField(label="文件（.docx、含文字层的 .pdf 或 .txt）")
